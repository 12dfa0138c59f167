// The lifecycle every command shares: Ctrl-C, clean-up in reverse order whatever happens, and
// failures turned into one line on stderr (or one JSON document under --json) and their exit code
// (see exit-codes.ts). Store commands add the store flags and open the store they name.
import { Command } from '@oclif/core/command'
import * as Errors from '@oclif/core/errors'
import { openStore, type Store } from '../store/store.js'
import { exitCodeOf } from './exit-codes.js'
import { storeFlags, type StoreFlags } from './flags.js'

export abstract class BillingCommand extends Command {
  private readonly cleanups: (() => unknown)[] = []
  private interrupt: AbortController | undefined
  private readonly onSigint = () => {
    // A second Ctrl-C ends the process at once, as it would without this handler.
    process.off('SIGINT', this.onSigint)
    this.interrupt?.abort()
  }

  /** A signal that the first Ctrl-C aborts: the command stops early and reports what it did. */
  protected interruptSignal(): AbortSignal {
    if (!this.interrupt) {
      this.interrupt = new AbortController()
      process.on('SIGINT', this.onSigint)
    }
    return this.interrupt.signal
  }

  /** Runs `cleanup` when the command ends, after the ones registered later. */
  protected defer(cleanup: () => unknown): void {
    this.cleanups.push(cleanup)
  }

  /** Whether the user asked for JSON output (errors are then JSON too). */
  protected wantsJson(): boolean {
    const end = this.argv.indexOf('--')
    const at = this.argv.indexOf('--json')
    return at !== -1 && (end === -1 || at < end)
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const exit = exitCodeOf(error)
    // For programs, one JSON document on stdout; for people, the message on stderr either way.
    if (this.wantsJson())
      process.stdout.write(`${JSON.stringify({ error: { message: error.message, exit } })}\n`)
    // oclif's own (a bad flag) print with their hints.
    if (error instanceof Errors.CLIError && !this.wantsJson()) throw error
    process.stderr.write(`Error: ${error.message}\n`)
    return this.exit(exit)
  }

  protected override async finally(error: Error | undefined): Promise<void> {
    process.off('SIGINT', this.onSigint)
    for (const cleanup of this.cleanups.splice(0).reverse()) {
      try {
        await cleanup()
      } catch (e) {
        // The command's own failure, if any, is the one its exit code reports.
        process.stderr.write(`warning: clean-up failed: ${(e as Error).message}\n`)
      }
    }
    await super.finally(error)
  }
}

export abstract class StoreCommand extends BillingCommand {
  static override baseFlags = storeFlags

  /** The store the flags name, closed when the command ends; `read` never creates or migrates one. */
  protected async openStore(flags: StoreFlags, mode: 'read' | 'write'): Promise<Store> {
    const store = await openStore({
      url: flags.url,
      dataDir: flags.data,
      database: flags.database,
      mode,
      lockWaitMs: flags.wait * 1000,
      retry: { attempts: flags.retries + 1 },
      onWait: (message) => process.stderr.write(`${message}…\n`),
    })
    this.defer(() => store.close())
    return store
  }
}
