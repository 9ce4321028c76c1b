// A scenario in the URL: its text as base64url (UTF-8) in `s`, its name in `name`.

export function toBase64Url(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(code: string): string {
  const bin = atob(code.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeShare(text: string, name: string): string {
  return `s=${toBase64Url(text)}&name=${encodeURIComponent(name)}`;
}

/** The shared scenario in a URL hash's parameters, or null when there is none (or it does not decode). */
export function decodeShare(params: URLSearchParams): { text: string; name: string } | null {
  const code = params.get('s');
  if (code === null) return null;
  try {
    return { text: fromBase64Url(code), name: params.get('name') ?? 'shared.pidns' };
  } catch {
    return null;
  }
}
