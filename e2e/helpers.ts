import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { startWebMode, type RunningWebMode } from './web-server';

/** A data folder the test owns (the `web` fixture deletes its own on stop, and read-back needs the data after stopping). */
export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'strata-e2e-own-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openApp(page: Page, web: RunningWebMode): Promise<void> {
  await page.goto(web.url);
  await expect(page.getByTestId('app-ready')).toBeAttached();
}

export async function startOn(dir: string): Promise<RunningWebMode> {
  return startWebMode(dir);
}

export const padded = (i: number): string => `key-${String(i).padStart(6, '0')}`;

export function row(page: Page, key: string) {
  return page.getByTestId('key-grid').locator(`[role="row"][data-key="${key}"]`);
}

export async function openCollection(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
}

export async function createCollection(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New collection' });
  await dialog.getByLabel('Name').fill(name);
  await expect(dialog.getByTestId('name-message')).toHaveText('Looks good.');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
}

export async function addKey(page: Page, key: string, value: string): Promise<void> {
  await page.getByRole('button', { name: 'Add key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add key' });
  await dialog.getByLabel('New key').fill(key);
  await dialog.getByLabel('New value').fill(value);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(row(page, key)).toBeVisible();
}
