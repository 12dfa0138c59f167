// Staging folders are named after their process; a new one removes those whose process is gone.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createStagingDir } from '../../src/ingest/staging-dir.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'billing-staging-dir-test-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('createStagingDir', () => {
  it("removes the folders of exited processes, keeps the living ones' and others, and names its own", () => {
    const exited = spawnSync(process.execPath, ['-e', '0']).pid
    const prefix = 'billing-loadtest-'
    for (const name of [
      `${prefix}${exited}-aaaaaa`,
      `${prefix}${process.pid}-bbbbbb`,
      `${prefix}server-cccccc`,
    ])
      mkdirSync(path.join(root, name))
    mkdirSync(path.join(root, `billing-staging-${exited}-dddddd`)) // another prefix: not ours to remove
    const made = createStagingDir(root, prefix)
    expect(path.basename(made)).toMatch(new RegExp(`^${prefix}${process.pid}-`))
    expect(existsSync(made)).toBe(true)
    expect(readdirSync(root).sort()).toEqual(
      [
        path.basename(made),
        `${prefix}${process.pid}-bbbbbb`,
        `${prefix}server-cccccc`,
        `billing-staging-${exited}-dddddd`,
      ].sort(),
    )
  })
})
