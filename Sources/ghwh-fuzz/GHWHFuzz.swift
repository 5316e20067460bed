import Foundation
import GHWHFuzzTargets

// One binary for every fuzz target (issue 13).
//
// Built with -DFUZZING and `--sanitize fuzzer --sanitize address` (scripts/fuzz.sh), it
// is a libFuzzer binary: GHWH_FUZZ_TARGET names the target, libFuzzer's own main parses
// the command line (and replays files given as arguments). Built normally, it replays:
//
//     ghwh-fuzz <target> <file-or-directory>...   run a target on each file
//     ghwh-fuzz all <Tests/Fuzz>                   every target on its seeds and crashers
//     ghwh-fuzz seeds <Tests/Fuzz>                 (re)write the generated seed files

#if FUZZING

    /// Read once, on first use (LLVMFuzzerInitialize), then cached.
    private let selectedTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["GHWH_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(
                Data("ghwh-fuzz: set GHWH_FUZZ_TARGET to one of: \(names) (got '\(name)')\n".utf8))
            exit(2)
        }
        return target
    }()

    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzerInitialize(
        _ argc: UnsafeMutablePointer<CInt>?,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?
    ) -> CInt {
        _ = selectedTarget
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzTarget.run(selectedTarget, UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

#else

    @main
    struct ReplayCommand {
        static func main() {
            let arguments = Array(CommandLine.arguments.dropFirst())
            let targets = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            guard arguments.count >= 2 else {
                fail(
                    "usage: ghwh-fuzz <\(targets)> <file-or-directory>...\n       ghwh-fuzz all <Tests/Fuzz>\n       ghwh-fuzz seeds <Tests/Fuzz>"
                )
            }
            switch arguments[0] {
            case "seeds":
                let root = URL(fileURLWithPath: arguments[1])
                for seed in FuzzSeeds.all() {
                    let directory = root.appendingPathComponent(seed.target.rawValue).appendingPathComponent("seeds")
                    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    do { try Data(seed.bytes).write(to: directory.appendingPathComponent(seed.name)) } catch {
                        fail("\(error)")
                    }
                }
                print("wrote \(FuzzSeeds.all().count) seeds under \(root.path)")
            case "all":
                for target in FuzzTarget.allCases {
                    let base = URL(fileURLWithPath: arguments[1]).appendingPathComponent(target.rawValue)
                    replay(
                        target,
                        [base.appendingPathComponent("seeds").path, base.appendingPathComponent("crashers").path])
                }
            default:
                guard let target = FuzzTarget(rawValue: arguments[0]) else {
                    fail("unknown target '\(arguments[0])'; one of \(targets)")
                }
                replay(target, Array(arguments.dropFirst()))
            }
        }

        static func replay(_ target: FuzzTarget, _ paths: [String]) {
            var files: [String] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                    files += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }
                } else {
                    files.append(path)
                }
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                FuzzTarget.run(target, [UInt8](data))
            }
            print("\(target.rawValue): \(files.count) inputs passed")
        }

        static func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(2)
        }
    }

#endif
