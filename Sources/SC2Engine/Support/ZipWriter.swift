import CZlib
import Foundation

/// Writes a zip archive of stored (uncompressed) members, each with its CRC-32, in the order
/// given: what np.savez and torch.save write. No zip64: members and archive stay under 4 GiB.
enum ZipWriter {
    /// The archive's bytes; `source` names the file in the error for an archive too large.
    static func stored(_ members: [(name: String, bytes: Data)], source: String) throws -> Data {
        var out = Data(), central = Data()
        func u16(_ v: Int, _ d: inout Data) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        func u32(_ v: UInt32, _ d: inout Data) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        guard members.count < Int(UInt16.max) else { throw SC2Error("\(source): too many members for a zip archive") }
        for member in members {
            let name = Array(member.name.utf8), body = member.bytes
            guard name.count < Int(UInt16.max), body.count < Int(UInt32.max), out.count < Int(UInt32.max) else {
                throw SC2Error("\(source): arrays too large for a zip archive (zip64 is not written)")
            }
            let crc = body.withUnsafeBytes { UInt32(truncatingIfNeeded: crc32_z(0, $0.bindMemory(to: UInt8.self).baseAddress, $0.count)) }
            let offset = UInt32(out.count)
            // Local header: signature, version 2.0, no flags, stored, no time, CRC, sizes, name.
            u32(0x0403_4b50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0x21, &out)
            u32(crc, &out); u32(UInt32(body.count), &out); u32(UInt32(body.count), &out); u16(name.count, &out); u16(0, &out)
            out.append(contentsOf: name); out.append(body)
            // Central directory entry for it.
            u32(0x0201_4b50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
            u16(0, &central); u16(0x21, &central); u32(crc, &central); u32(UInt32(body.count), &central); u32(UInt32(body.count), &central)
            u16(name.count, &central); u16(0, &central); u16(0, &central); u16(0, &central); u16(0, &central)
            u32(0, &central); u32(offset, &central); central.append(contentsOf: name)
        }
        guard out.count + central.count < Int(UInt32.max) else { throw SC2Error("\(source): archive too large (zip64 is not written)") }
        let centralOffset = UInt32(out.count)
        out.append(central)
        u32(0x0605_4b50, &out); u16(0, &out); u16(0, &out); u16(members.count, &out); u16(members.count, &out)
        u32(UInt32(central.count), &out); u32(centralOffset, &out); u16(0, &out)
        return out
    }
}
