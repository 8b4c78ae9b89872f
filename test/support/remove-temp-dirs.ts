/** Vitest setup file: after each test file (its own afterAll hooks run first), its temporary directories go. */
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

afterAll(() => removeTempDirs());
