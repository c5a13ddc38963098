/**
 * Voice messages to text with Feishu's own speech recognition
 * (speech_to_text/v1/speech/file_recognize: one request per file of at most
 * 60 s, audio as base64 PCM, 16 kHz, 16-bit, mono; it needs the app's
 * speech_to_text permission, and the free edition does not have it).
 *
 * Feishu audio messages are Ogg Opus files; they are decoded here with
 * ogg-opus-decoder (WebAssembly, no native code) and resampled 48 kHz → 16 kHz.
 */
import { OggOpusDecoder } from 'ogg-opus-decoder';

/** Longest clip file_recognize takes. */
export const MAX_RECOGNIZE_SECONDS = 60;

/** Ogg Opus bytes → 16 kHz 16-bit little-endian mono PCM, or null when the bytes are not Ogg Opus. */
export async function oggOpusToPcm16k(bytes: Uint8Array): Promise<Buffer | null> {
  const decoder = new OggOpusDecoder();
  try {
    await decoder.ready;
    const audio = await decoder.decodeFile(bytes);
    if (!audio.samplesDecoded || audio.channelData.length === 0) return null;
    const channels = audio.channelData;
    const ratio = audio.sampleRate / 16000; // 48 kHz → 3
    const seconds = Math.min(audio.samplesDecoded / audio.sampleRate, MAX_RECOGNIZE_SECONDS);
    const n = Math.floor((seconds * audio.sampleRate) / ratio);
    const out = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) {
      // Average the samples of each output period (a crude low-pass before decimating) and the channels.
      let sum = 0;
      let count = 0;
      const start = Math.floor(i * ratio);
      const end = Math.min(Math.floor((i + 1) * ratio), audio.samplesDecoded);
      for (const ch of channels) {
        for (let j = start; j < end; j++) {
          sum += ch[j]!;
          count++;
        }
      }
      const v = count ? sum / count : 0;
      out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32767))), i * 2);
    }
    return out;
  } catch {
    return null;
  } finally {
    decoder.free();
  }
}

/** Request body of file_recognize for one clip. file_id: 16 characters of [a-zA-Z0-9] per the API page. */
export function recognizeRequest(pcm: Buffer, fileId: string): { speech: { speech: string }; config: { file_id: string; format: string; engine_type: string } } {
  return {
    speech: { speech: pcm.toString('base64') },
    config: { file_id: fileId.replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0').slice(0, 16), format: 'pcm', engine_type: '16k_auto' },
  };
}
