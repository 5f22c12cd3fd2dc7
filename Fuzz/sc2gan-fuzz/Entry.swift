import Foundation
import SC2Fuzzing

// libFuzzer calls fuzzOneInput for every input; SC2FUZZ_TARGET names the reader
// (scripts/dev/fuzz.sh sets it). SwiftPM links an executable's entry point as `<module>_main`, so
// that is where libFuzzer's driver is started from.
private let target: String = {
    let name = ProcessInfo.processInfo.environment["SC2FUZZ_TARGET"] ?? ""
    guard FuzzTargets.names.contains(name) else {
        FileHandle.standardError.write(Data("sc2gan-fuzz: set SC2FUZZ_TARGET to one of \(FuzzTargets.names.joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return name
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Accepted or refused, both are fine here: only a trap, a hang or an allocation is a finding.
    _ = FuzzTargets.run(target, UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> CInt

@_cdecl("sc2gan_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = target
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector, fuzzOneInput)
}
