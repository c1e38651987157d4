/**
 * Certificate serial numbers: 16 random bytes, positive and minimally encoded (RFC 5280 §4.1.2.2).
 */
import { AppError } from '../errors.ts';

/** 16 random bytes with the high bit cleared (positive) and a non-zero first byte (minimal DER). */
export function randomSerial(): Uint8Array {
  const serial = globalThis.crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) || 0x01;
  return serial;
}

/** Rejects serials a conforming decoder would refuse: empty, > 20 bytes, negative, non-minimal. */
export function assertValidSerial(serial: Uint8Array): void {
  const first = serial[0];
  const second = serial[1];
  if (first === undefined || serial.length > 20) {
    throw new AppError('validation_failed', 'serial must be 1 to 20 bytes');
  }
  if (first & 0x80) throw new AppError('validation_failed', 'serial must be positive');
  if (first === 0 && (second === undefined || (second & 0x80) === 0)) {
    throw new AppError('validation_failed', 'serial must be minimally encoded and non-zero');
  }
}
