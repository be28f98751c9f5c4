import { describe, expect, it } from 'vitest';
import { centsToDecimal, toBool, toCents, toInt } from '../../src/archtics/parse.js';

describe('parse.ts scalar readers', () => {
  it('reads money as exact integer cents from numbers and decimal strings', () => {
    expect(toCents(177.7)).toBe(17770);
    expect(toCents('177.70')).toBe(17770);
    expect(toCents('-3.5')).toBe(-350);
    expect(toCents(5)).toBe(500);
  });
  it('reads integers from numbers and numeric strings', () => {
    expect(toInt('100479')).toBe(100479);
    expect(toInt(100479)).toBe(100479);
  });
  it('reads booleans from 0/1 and Y/N', () => {
    expect([toBool(1), toBool('0'), toBool('Y'), toBool('N')]).toEqual([true, false, true, false]);
  });
  it('writes cents as a two-place decimal string', () => {
    expect(centsToDecimal(12345)).toBe('123.45');
  });
});
