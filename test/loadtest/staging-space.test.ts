import { existsSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { StagingSpace } from '../../src/loadtest/staging-space.js'
import { removeTempDirs, tempDir } from '../support/events.js'

afterAll(() => removeTempDirs())

describe('where staging files wait', () => {
  it('uses a folder given explicitly, and only it', () => {
    const dir = tempDir('staging-given')
    const space = new StagingSpace(dir)
    const file = space.place('a.ndjson', 10)
    expect(path.dirname(path.dirname(file))).toBe(dir)
    writeFileSync(file, 'x')
    space.remove()
    expect(existsSync(file)).toBe(false)
  })

  it.runIf(process.platform === 'linux' && existsSync('/dev/shm'))(
    'keeps files in shared memory up to its budget, then in the temp folder',
    () => {
      const space = new StagingSpace()
      const small = space.place('small.ndjson', 1000)
      expect(small.startsWith('/dev/shm/')).toBe(true)
      const huge = space.place('huge.ndjson', os.totalmem())
      expect(huge.startsWith(os.tmpdir())).toBe(true)
      space.release(small)
      expect(space.place('again.ndjson', 1000).startsWith('/dev/shm/')).toBe(true)
      space.remove()
      expect(existsSync(path.dirname(small))).toBe(false)
    },
  )
})
