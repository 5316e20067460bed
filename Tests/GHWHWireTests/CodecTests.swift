import Testing

@testable import GHWHWire

@Suite struct CodecTests {
    @Test func roundTripsEveryPrimitive() throws {
        let bytes = SampleMessage.example.encoded()
        #expect(try SampleMessage.decoded(from: bytes) == SampleMessage.example)
        var noNote = SampleMessage.example
        noNote.note = nil
        noNote.tags = []
        #expect(try SampleMessage.decoded(from: noNote.encoded()) == noNote)
    }

    /// Large byte fields travel as parts of their own (copied once, into the
    /// frame), small ones are copied into the writer; the bytes are the same,
    /// and a reader's slice of a field shares the payload it was decoded from.
    @Test func largeFieldsAreReferencedSmallOnesCopiedWithTheSameEncoding() throws {
        let large = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let small = Array("small".utf8)
        var copied = WireWriter()
        var referenced = WireWriter()
        for w in [0, 1] {
            for field in [small, large, small] {
                if w == 0 {
                    copied.bytes(field)
                } else {
                    referenced.bytesByReferenceIfLarge(field[...], minimum: 65_536)
                }
            }
        }
        #expect(referenced.payload.joined() == copied.payload.joined())
        #expect(copied.payload.parts.count == 1)
        #expect(referenced.payload.parts.count == 3, "head, the large field, tail")
        #expect(referenced.payload.parts[1].bytes.count == large.count)

        let payload = referenced.payload.joined()
        var r = WireReader(payload)
        #expect(try r.bytesSlice() == small[...])
        let slice = try r.bytesSlice()
        #expect(slice.elementsEqual(large))
        slice.withUnsafeBytes { field in
            payload.withUnsafeBytes { all in
                #expect(field.baseAddress! >= all.baseAddress! && field.baseAddress! < all.baseAddress! + all.count)
            }
        }
    }

    @Test func littleEndianAndCompact() {
        var w = WireWriter()
        w.u32(0x0102_0304)
        w.varint(1)
        w.varint(300)
        w.string("ab")
        #expect(w.bytes == [4, 3, 2, 1, 1, 0xAC, 0x02, 2, 0x61, 0x62])
    }

    @Test func extremeValuesRoundTrip() throws {
        var w = WireWriter()
        w.varint(UInt64.max)
        w.zigzag(Int64.min)
        w.zigzag(Int64.max)
        w.i64(Int64.min)
        w.double(-.infinity)
        var r = WireReader(w.bytes)
        #expect(try r.varint() == UInt64.max)
        #expect(try r.zigzag() == Int64.min)
        #expect(try r.zigzag() == Int64.max)
        #expect(try r.i64() == Int64.min)
        #expect(try r.double() == -.infinity)
        #expect(r.isAtEnd)
    }

    @Test func everyTruncationFailsCleanly() {
        let bytes = SampleMessage.example.encoded()
        for cut in 0..<bytes.count {
            let error = wireError { _ = try SampleMessage.decoded(from: Array(bytes[0..<cut])) }
            guard case .malformed(let what) = error else {
                Issue.record("cut at \(cut) gave \(String(describing: error))")
                continue
            }
            #expect(what.contains("offset"), "message should name the offset: \(what)")
        }
    }

    @Test func trailingBytesAreRefused() {
        let error = wireError { _ = try SampleMessage.decoded(from: SampleMessage.example.encoded() + [0]) }
        #expect(
            error == .malformed("SampleMessage: 1 trailing bytes at offset \(SampleMessage.example.encoded().count)"))
    }

    @Test func absurdLengthFailsBeforeAllocating() {
        var w = WireWriter()
        w.varint(UInt64.max / 2)  // claims ~2^63 bytes
        w.u8(1)
        var r = WireReader(w.bytes)
        #expect(
            wireError { _ = try r.bytes("blob") }
                == .malformed("blob: length \(UInt64.max / 2) at offset 0 exceeds the 1 bytes left"))
        var r2 = WireReader(w.bytes)
        let e = wireError { _ = try r2.array("items") { try $0.u8() } }
        #expect(e == .malformed("items: element count \(UInt64.max / 2) at offset 0 exceeds the 1 bytes left"))
    }

    @Test func varintOverflowIsRefused() {
        var r = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect(wireError { _ = try r.varint("n") } == .malformed("n: varint overflows 64 bits at offset 0"))
        var endless = WireReader([UInt8](repeating: 0x80, count: 20))
        #expect(wireError { _ = try endless.varint("n") } != nil)
    }

    @Test func invalidUTF8AndBoolAreRefused() throws {
        var r = WireReader([2, 0xC3, 0x28])
        #expect(wireError { _ = try r.string("name") } == .malformed("name: invalid UTF-8 in string at offset 0"))
        var b = WireReader([1, 2])
        #expect(try b.bool() == true)
        #expect(wireError { _ = try b.bool("flag") } == .malformed("flag: invalid bool byte 2 at offset 1"))
    }

    @Test func readerOverSliceUsesRelativeOffsets() throws {
        let bytes: [UInt8] = [9, 9, 9, 1, 0, 0, 0]
        var r = WireReader(bytes[3...])
        #expect(try r.u32() == 1)
        #expect(r.isAtEnd)
        #expect(wireError { _ = try r.u8("x") } == .malformed("x: truncated at offset 4: need 1 bytes, 0 left"))
    }
}
