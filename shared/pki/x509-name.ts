/**
 * X.501 Name → RFC 4514 string ("CN=Alice,O=Example"), most specific RDN first, with the
 * RFC 4514 §2.4 escaping. Attribute types without a short name appear as dotted OIDs with a
 * #hex value, as the RFC says.
 */

import * as asn1js from 'asn1js';
import { toHex } from './bytes.ts';
import type { AsnNode } from './der.ts';
import { OID } from './oids.ts';

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  [OID.emailAddress]: 'emailAddress',
};

/** Text of a directory string (UTF8, Printable, IA5, BMP, Universal, Teletex), else null. */
export function directoryStringValue(node: AsnNode | undefined): string | null {
  if (!node) return null;
  const vb = node.valueBlock as { value?: unknown };
  if (
    node instanceof asn1js.Utf8String ||
    node instanceof asn1js.PrintableString ||
    node instanceof asn1js.IA5String ||
    node instanceof asn1js.BmpString ||
    node instanceof asn1js.UniversalString ||
    node instanceof asn1js.TeletexString ||
    node instanceof asn1js.VisibleString
  ) {
    return typeof vb.value === 'string' ? vb.value : null;
  }
  return null;
}

function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;]/g, (c) => `\\${c}`).replaceAll(String.fromCharCode(0), '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** One parsed attribute of a Name. */
export interface NameAttribute {
  oid: string;
  value: string | null;
  node: AsnNode;
}

/** The attributes of a Name in encoded order, grouped per RDN. */
export function nameRdns(name: AsnNode): NameAttribute[][] {
  const rdns = (name.valueBlock as { value?: AsnNode[] }).value ?? [];
  return rdns.map((rdn) =>
    ((rdn.valueBlock as { value?: AsnNode[] }).value ?? []).map((atv) => {
      const [type, value] = (atv.valueBlock as { value?: AsnNode[] }).value ?? [];
      const oid = type instanceof asn1js.ObjectIdentifier ? type.valueBlock.toString() : '';
      return { oid, value: directoryStringValue(value), node: value ?? atv };
    }),
  );
}

/** RFC 4514 string of an encoded Name (reverse RDN order, "+" inside multi-valued RDNs). */
export function formatName(name: AsnNode): string {
  return nameRdns(name)
    .reverse()
    .map((rdn) =>
      rdn
        .map(({ oid, value, node }) => {
          const short = SHORT_NAMES[oid];
          if (short && value !== null) return `${short}=${escapeValue(value)}`;
          return `${short ?? oid}=#${toHex(node.valueBeforeDecodeView)}`;
        })
        .join('+'),
    )
    .join(',');
}

/** Values of one attribute type, in encoded order (e.g. every CN). */
export function nameValues(name: AsnNode, oid: string): string[] {
  return nameRdns(name)
    .flat()
    .filter((a) => a.oid === oid && a.value !== null)
    .map((a) => a.value!);
}
