extension JSONReader {
    /// Builds the String of a validated string span. Without escapes (the common
    /// case) it is built straight from the bytes; otherwise the escapes are
    /// decoded straight into the new String's storage (decoding never grows).
    @inline(__always)
    mutating func makeString(_ span: StringSpan) -> String {
        let length = span.end - span.start
        if !span.hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + span.start, count: length), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: length) { buffer in
            decodeEscapes(span, into: buffer.baseAddress!)
        }
    }

    /// Writes the unescaped UTF-8 of a validated span to `out` (room for the span's
    /// length is enough) and returns the number of bytes written.
    /// A `\u` surrogate that is not part of a high+low pair becomes U+FFFD.
    func decodeEscapes(_ span: StringSpan, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var k = span.start
        var runStart = k
        var written = 0
        let stop = span.end
        while k < stop {
            // Find the next backslash eight bytes at a time.
            while k + 8 <= stop {
                let mask = SWAR.equal(SWAR.load(base, k), 0x5C)
                if mask != 0 {
                    k += SWAR.firstIndex(mask)
                    break
                }
                k += 8
            }
            while k < stop && base[k] != 0x5C { k += 1 }
            if k == stop { break }
            (out + written).update(from: base + runStart, count: k - runStart)
            written += k - runStart
            let c = base[k + 1]
            k += 2
            switch c {
            case 0x62:
                out[written] = 0x08
                written += 1
            case 0x66:
                out[written] = 0x0C
                written += 1
            case 0x6E:
                out[written] = 0x0A
                written += 1
            case 0x72:
                out[written] = 0x0D
                written += 1
            case 0x74:
                out[written] = 0x09
                written += 1
            case 0x75:
                var scalar = hexQuad(k) ?? 0xFFFD
                k += 4
                if scalar >= 0xD800 && scalar < 0xE000 {
                    if scalar < 0xDC00, k + 6 <= stop, base[k] == 0x5C, base[k + 1] == 0x75,
                        let low = hexQuad(k + 2), low >= 0xDC00 && low < 0xE000
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        k += 6
                    } else {
                        scalar = 0xFFFD
                    }
                }
                written += writeUTF8(scalar, out + written)
            default:
                out[written] = c
                written += 1  // " \ /
            }
            runStart = k
        }
        (out + written).update(from: base + runStart, count: stop - runStart)
        return written + stop - runStart
    }

    /// Decodes a span into `scratch` and returns its bytes (for matching escaped keys).
    mutating func withDecodedBytes<R>(_ span: StringSpan, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        let length = span.end - span.start
        var buffer = scratch  // moved out so decoding (a read of self) can write it
        scratch = []
        if buffer.count < length { buffer = [UInt8](repeating: 0, count: length) }
        let result = buffer.withUnsafeMutableBufferPointer { out in
            let count = decodeEscapes(span, into: out.baseAddress!)
            return body(UnsafePointer(out.baseAddress!), count)
        }
        scratch = buffer
        return result
    }

    /// Writes the UTF-8 form of `scalar` at `out`; returns its length.
    @inline(__always)
    private func writeUTF8(_ scalar: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if scalar < 0x80 {
            out[0] = UInt8(scalar)
            return 1
        } else if scalar < 0x800 {
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        } else if scalar < 0x10000 {
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        } else {
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
