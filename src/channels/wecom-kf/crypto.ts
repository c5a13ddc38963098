/**
 * Callback crypto as WeCom documents it (加解密方案说明, developer.work.weixin.qq.com/document/path/90968;
 * 回调配置, …/90930), with @wecom/crypto (WeCom's own npm package) for the signature and AES:
 * - msg_signature = sha1 of the sorted token, timestamp, nonce and Encrypt, lower-case hex;
 * - Encrypt = base64(AES-256-CBC(key = base64(EncodingAESKey + "="), IV = key[0..16),
 *   PKCS#7 to 32 bytes)) of random(16) ‖ msg_len(4, big-endian) ‖ msg ‖ receiveid;
 * - receiveid is the corp id for a self-built app's callbacks: checked here, since CBC has no
 *   integrity of its own and @wecom/crypto returns it without checking.
 * The package does not check the padding or the length field either; both are checked here, so
 * a body that was not encrypted with our key is refused instead of read as garbage.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { decrypt, getSignature } from '@wecom/crypto';

export interface CallbackSecrets {
  /** The callback Token (≤ 32 letters or digits). */
  token: string;
  /** The 43-character EncodingAESKey. */
  encodingAESKey: string;
  /** The corp id (ReceiveId of a self-built app's callbacks). */
  corpId: string;
}

export type DecryptResult = { ok: true; message: string } | { ok: false; status: 400 | 401; reason: string };

/** Whether the key decodes to the 32 bytes WeCom's scheme needs (checked at start). */
export function validAesKey(encodingAESKey: string): boolean {
  return /^[A-Za-z0-9]{43}$/.test(encodingAESKey) && Buffer.from(`${encodingAESKey}=`, 'base64').length === 32;
}

export function signatureOk(secrets: CallbackSecrets, signature: string, timestamp: string, nonce: string, encrypted: string): boolean {
  const expected = getSignature(secrets.token, timestamp, nonce, encrypted);
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(signature.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Verifies the signature, then decrypts and checks what came out. Never throws. */
export function verifyAndDecrypt(secrets: CallbackSecrets, q: { signature: string; timestamp: string; nonce: string }, encrypted: string): DecryptResult {
  if (!q.signature || !q.timestamp || !q.nonce || !encrypted) return { ok: false, status: 400, reason: 'missing msg_signature, timestamp, nonce or Encrypt' };
  if (!/^[0-9a-fA-F]{40}$/.test(q.signature)) return { ok: false, status: 401, reason: 'malformed msg_signature' };
  if (!signatureOk(secrets, q.signature, q.timestamp, q.nonce, encrypted)) return { ok: false, status: 401, reason: 'signature does not match' };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) return { ok: false, status: 400, reason: 'Encrypt is not base64' };
  const raw = Buffer.from(encrypted, 'base64');
  if (raw.length === 0 || raw.length % 32 !== 0) return { ok: false, status: 400, reason: 'Encrypt is not a whole number of blocks' };
  let out: { message: string; id: string };
  try {
    const key = Buffer.from(`${secrets.encodingAESKey}=`, 'base64');
    // Padding as PKCS#7 to 32 (WeCom's block): the last byte says how many, all equal.
    if (!paddingOk(raw, key)) return { ok: false, status: 400, reason: 'cannot decrypt (padding)' };
    out = decrypt(secrets.encodingAESKey, encrypted);
  } catch {
    return { ok: false, status: 400, reason: 'cannot decrypt' };
  }
  if (out.id !== secrets.corpId) return { ok: false, status: 400, reason: 'decrypted receiveid is not our corp id' };
  return { ok: true, message: out.message };
}

/**
 * The checks @wecom/crypto leaves out: PKCS#7 padding to 32 bytes, and a msg_len that fits in
 * what was decrypted. A body encrypted with another key fails here.
 */
function paddingOk(raw: Buffer, key: Buffer): boolean {
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(raw), d.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > 32 || pad > plain.length) return false;
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return false;
  const body = plain.length - pad;
  if (body < 20) return false;
  return 20 + plain.readUInt32BE(16) <= body;
}



/** sha1 of a replayed request, for the replay guard. */
export function requestFingerprint(signature: string, timestamp: string, nonce: string): string {
  return createHash('sha1').update(`${signature}\u0000${timestamp}\u0000${nonce}`).digest('hex');
}
