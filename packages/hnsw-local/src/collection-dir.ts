import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AindusError, type CollectionSpec } from '@aindusdb/core';
import { fsyncDir, writeFileAtomic } from './durable-fs.js';
import { initialManifest, MANIFEST_FILE } from './snapshot.js';

/** Sub-directory of an engine directory holding one directory per collection. */
export const COLLECTIONS_DIR = 'collections';
const SPEC_FILE = 'spec.json';
// Names core accepts start with a letter, so these prefixes never clash with a collection.
const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';

const random = () => Math.random().toString(36).slice(2, 10);

/** Creates the collections directory and removes what an interrupted create or drop left. */
export function prepareCollectionsDir(root: string): string {
  const dir = join(root, COLLECTIONS_DIR);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.startsWith(TMP_PREFIX) || name.startsWith(TRASH_PREFIX)) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  return dir;
}

/** Reads a collection's spec; `undefined` when the collection does not exist. */
export async function readCollectionSpec(
  collectionsDir: string,
  name: string,
): Promise<CollectionSpec | undefined> {
  try {
    return JSON.parse(
      await readFile(join(collectionsDir, name, SPEC_FILE), 'utf8'),
    ) as CollectionSpec;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AindusError('INTERNAL', `Unreadable spec of collection "${name}"`, { cause: error });
  }
}

/** Names of the collections on disk, unordered. */
export async function listCollectionNames(collectionsDir: string): Promise<string[]> {
  const entries = await readdir(collectionsDir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

/**
 * Creates a collection directory atomically: spec and empty manifest are written into a
 * temporary directory, flushed, and the directory is renamed into place.
 */
export async function createCollectionDir(
  collectionsDir: string,
  spec: CollectionSpec,
): Promise<string> {
  const tmp = join(collectionsDir, `${TMP_PREFIX}${spec.name}-${random()}`);
  await mkdir(tmp);
  try {
    await writeFileAtomic(join(tmp, SPEC_FILE), [Buffer.from(JSON.stringify(spec))]);
    await writeFileAtomic(join(tmp, MANIFEST_FILE), [
      Buffer.from(JSON.stringify(initialManifest())),
    ]);
    const dir = join(collectionsDir, spec.name);
    await rename(tmp, dir);
    await fsyncDir(collectionsDir);
    return dir;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a collection directory: renamed aside first (atomic), then deleted. */
export async function removeCollectionDir(collectionsDir: string, name: string): Promise<boolean> {
  const trash = join(collectionsDir, `${TRASH_PREFIX}${name}-${random()}`);
  try {
    await rename(join(collectionsDir, name), trash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDir(collectionsDir);
  await rm(trash, { recursive: true, force: true });
  return true;
}
