#!/usr/bin/env node
// Writes oclif.manifest.json (flags, args and help of every command in dist/commands) into the package
// root, so that the CLI finds its commands without importing them all at start-up: `--version` and
// `--help` import none, a command imports only its own module. `npm run build` removes the manifest
// before compiling and writes it again after, so it never describes an older build; without it oclif
// finds the commands itself, only more slowly.
import { Plugin } from '@oclif/core'
import { renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = fileURLToPath(new URL('..', import.meta.url))
const plugin = new Plugin({
  root,
  type: 'core',
  isRoot: true,
  ignoreManifest: true,
  errorOnManifestCreate: true,
  respectNoCacheDefault: true,
})
await plugin.load()
const file = path.join(root, 'oclif.manifest.json')
writeFileSync(`${file}.tmp`, `${JSON.stringify(plugin.manifest, null, 2)}\n`)
renameSync(`${file}.tmp`, file)
