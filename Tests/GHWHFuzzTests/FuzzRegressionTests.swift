import Foundation
import Testing

@testable import GHWHFuzzTargets

/// Every fuzz target over its committed seeds and crashers (Tests/Fuzz/<target>/), so a
/// crasher found by `make fuzz` is an ordinary regression test. A broken property stops
/// the test process with the target's message (fatalError), like it stops libFuzzer.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(_ target: FuzzTarget, _ kind: String) -> [(name: String, bytes: [UInt8])] {
        let directory = root.appendingPathComponent(target.rawValue).appendingPathComponent(kind)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        return names.map { name in
            (name, [UInt8](FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) ?? Data()))
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsAndCrashersKeepTheirProperties(_ target: FuzzTarget) {
        let seeds = Self.inputs(target, "seeds")
        #expect(seeds.count >= 3, "\(target): only \(seeds.count) seeds")
        for input in seeds + Self.inputs(target, "crashers") {
            FuzzTarget.run(target, input.bytes)
        }
    }

    /// The generated seeds on disk are what `ghwh-fuzz seeds` writes today.
    @Test func generatedSeedsAreCommitted() {
        for seed in FuzzSeeds.all() {
            let committed = Self.inputs(seed.target, "seeds").first { $0.name == seed.name }
            #expect(
                committed?.bytes == seed.bytes,
                "\(seed.target)/seeds/\(seed.name) differs from FuzzSeeds: run ghwh-fuzz seeds Tests/Fuzz")
        }
    }

    /// Message seeds decode, so fuzzing starts from inputs that reach every decoder.
    @Test func messageSeedsDecode() {
        for seed in Self.inputs(.messages, "seeds") {
            #expect(MessagesTarget.decodes(seed.bytes), "messages/seeds/\(seed.name) does not decode")
        }
    }

    @Test func committedSeedsAreSmall() {
        var total = 0
        for target in FuzzTarget.allCases {
            for input in Self.inputs(target, "seeds") + Self.inputs(target, "crashers") {
                #expect(input.bytes.count <= target.maxLength, "\(target)/\(input.name) is longer than -max_len")
                total += input.bytes.count
            }
        }
        #expect(total < 200_000)
    }
}
