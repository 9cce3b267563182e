/**
 * strconv.FormatFloat for float64 in the formats fmt uses ('e', 'E', 'f', 'g', 'G', 'x', 'X', 'b').
 * JavaScript's toFixed/toExponential round exact ties upward where Go rounds them to even, so
 * fixed precision works from the exact decimal expansion of the double; shortest output comes from
 * toExponential(), which yields the same shortest round-trip digits as Go.
 */

/** value = 0.d × 10^dp; d has no leading or trailing zeros and is empty for zero. */
interface Decimal {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** Splits a finite positive double into mantissa and binary exponent: x = mant × 2^exp. */
function decompose(x: number): { mant: bigint; exp: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return { mant, exp };
}

function trimZeros(d: string, dp: number): Decimal {
  let end = d.length;
  while (end > 0 && d.charCodeAt(end - 1) === 0x30) end--;
  return end === 0 ? { d: '', dp: 0 } : { d: d.slice(0, end), dp };
}

function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const { mant, exp } = decompose(x);
  if (exp >= 0) {
    const digits = (mant << BigInt(exp)).toString();
    return trimZeros(digits, digits.length);
  }
  // mant / 2^k = mant × 5^k / 10^k
  const k = -exp;
  const digits = (mant * 5n ** BigInt(k)).toString();
  return trimZeros(digits, digits.length - k);
}

function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const s = x.toExponential();
  const e = s.indexOf('e');
  const digits = s.slice(0, e).replace('.', '');
  return trimZeros(digits, Number(s.slice(e + 1)) + 1);
}

/** Rounds to nd significant digits, ties to even, as Go's decimal.Round does. */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === a.d.length) {
    up = nd > 0 && (a.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  } else {
    up = c >= 0x35;
  }
  if (!up) return trimZeros(a.d.slice(0, nd), a.dp);
  for (let i = nd - 1; i >= 0; i--) {
    const ci = a.d.charCodeAt(i);
    if (ci < 0x39) return { d: a.d.slice(0, i) + String.fromCharCode(ci + 1), dp: a.dp };
  }
  return { d: '1', dp: a.dp + 1 };
}

function fmtE(neg: boolean, d: Decimal, prec: number, e: string): string {
  let out = neg ? '-' : '';
  out += d.d.length > 0 ? d.d.charAt(0) : '0';
  if (prec > 0) {
    out += '.' + d.d.slice(1, Math.min(d.d.length, prec + 1));
    for (let i = Math.max(d.d.length, 1); i <= prec; i++) out += '0';
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + e + sign + (exp < 10 ? '0' : '') + String(exp);
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) {
    out += d.d.slice(0, Math.min(d.d.length, d.dp));
    for (let m = d.d.length; m < d.dp; m++) out += '0';
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < d.d.length ? d.d.charAt(j) : '0';
    }
  }
  return out;
}

function fmtX(neg: boolean, x: number, prec: number, upper: boolean): string {
  let { mant, exp } = x === 0 ? { mant: 0n, exp: 0 } : decompose(x);
  const top = 1n << 60n;
  if (mant !== 0n) {
    exp += 52;
    mant <<= 8n;
    while ((mant & top) === 0n) {
      mant <<= 1n;
      exp--;
    }
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (top - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = (neg ? '-' : '') + '0' + (upper ? 'X' : 'x') + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex.charAt(Number((mant >> 60n) & 15n));
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex.charAt(Number((mant >> 60n) & 15n));
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  const sign = exp < 0 ? '-' : '+';
  const e = Math.abs(exp);
  return out + (upper ? 'P' : 'p') + sign + (e < 10 ? '0' : '') + String(e);
}

export type FloatFormat = 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X' | 'b';

/** strconv.FormatFloat(x, format, prec, 64); prec < 0 means the shortest exact representation. */
export function formatFloat(x: number, format: FloatFormat, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  if (format === 'b') {
    const { mant, exp } = abs === 0 ? { mant: 0n, exp: -1074 } : decompose(abs);
    return `${neg ? '-' : ''}${mant.toString()}p${exp >= 0 ? '+' : '-'}${Math.abs(exp)}`;
  }
  if (format === 'x' || format === 'X') return fmtX(neg, abs, prec, format === 'X');

  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDecimal(abs);
    switch (format) {
      case 'e':
      case 'E':
        prec = Math.max(d.d.length - 1, 0);
        break;
      case 'f':
        prec = Math.max(d.d.length - d.dp, 0);
        break;
      default:
        prec = d.d.length;
    }
  } else {
    d = exactDecimal(abs);
    switch (format) {
      case 'e':
      case 'E':
        d = roundDecimal(d, prec + 1);
        break;
      case 'f':
        d = roundDecimal(d, d.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        d = roundDecimal(d, prec);
    }
  }

  switch (format) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, format);
    case 'f':
      return fmtF(neg, d, prec);
    default: {
      let eprec = prec;
      if (eprec > d.d.length && d.d.length >= d.dp) eprec = d.d.length;
      // Shortest output switches to exponent form from 1e+06 on, whatever the digit count.
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.d.length) prec = d.d.length;
        return fmtE(neg, d, prec - 1, format === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = d.d.length;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
}
