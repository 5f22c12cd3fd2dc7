import Foundation

/// A fast 64-bit content fingerprint (FNV-1a over 8-byte words) for provenance: which model
/// file made a cache, a direction or an export. Not a cryptographic hash.
package enum ContentHash {
    package static func of(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        data.withUnsafeBytes { raw in
            let words = raw.count / 8
            for i in 0..<words {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* 0x100_0000_01b3
            }
            for i in (words * 8)..<raw.count { h = (h ^ UInt64(raw[i])) &* 0x100_0000_01b3 }
            h = (h ^ UInt64(raw.count)) &* 0x100_0000_01b3
        }
        return String(format: "%016llx", h)
    }

    package static func ofFile(_ path: String) -> String {
        guard let d = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return "unknown" }
        return of(d)
    }
}
