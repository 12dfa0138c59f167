// Where staging files wait for their INSERT. They are read once, within seconds, and never need to
// survive a crash: in RAM (/dev/shm) they cost no disk writes, which matters when a store falls
// behind and gigabytes wait. Shared memory is used up to a budget; past it, files go to the system
// temp folder. A folder given explicitly is used alone.
import { existsSync, rmSync, statfsSync } from 'node:fs'
import { createStagingDir } from '../ingest/staging-dir.js'
import os from 'node:os'
import path from 'node:path'

const SHM = '/dev/shm'
/** Folders named after their process: a killed load test's are removed by the next one. */
const PREFIX = 'billing-loadtest-'
/** Leave this much of shared memory free, and use at most this share of the machine's RAM. */
const SHM_RESERVE = 1 << 30
const SHM_SHARE_OF_RAM = 0.25

export class StagingSpace {
  private readonly ram: string | undefined
  private disk: string | undefined
  private ramBytes = 0
  private readonly budget: number
  private readonly inRam = new Map<string, number>()

  constructor(folder?: string) {
    if (folder) {
      this.disk = createStagingDir(folder, PREFIX)
      this.budget = 0
      return
    }
    this.budget = shmBudget()
    if (this.budget > 0) this.ram = createStagingDir(SHM, PREFIX)
  }

  /** A path for a new staging file of about `bytes`. */
  place(name: string, bytes: number): string {
    if (this.ram && this.ramBytes + bytes <= this.budget) {
      const file = path.join(this.ram, name)
      this.ramBytes += bytes
      this.inRam.set(file, bytes)
      return file
    }
    this.disk ??= createStagingDir(os.tmpdir(), PREFIX)
    return path.join(this.disk, name)
  }

  /** The file is gone (stored, or never written). */
  release(file: string): void {
    const bytes = this.inRam.get(file)
    if (bytes === undefined) return
    this.inRam.delete(file)
    this.ramBytes -= bytes
  }

  /** About how many bytes of staging files fit: the shared-memory budget and the free disk. */
  capacityBytes(): number {
    return this.budget + freeBytes(this.disk ?? os.tmpdir())
  }

  /** A folder for other files of the run (the ingest-format copies of --out). */
  get scratch(): string {
    this.disk ??= createStagingDir(os.tmpdir(), PREFIX)
    return this.disk
  }

  remove(): void {
    for (const dir of [this.ram, this.disk]) if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

function freeBytes(dir: string): number {
  try {
    const fs = statfsSync(dir)
    return fs.bavail * fs.bsize
  } catch {
    return 0
  }
}

function shmBudget(): number {
  if (process.platform !== 'linux' || !existsSync(SHM)) return 0
  try {
    const fs = statfsSync(SHM)
    const free = fs.bavail * fs.bsize - SHM_RESERVE
    return Math.max(0, Math.min(free, os.totalmem() * SHM_SHARE_OF_RAM))
  } catch {
    return 0
  }
}
