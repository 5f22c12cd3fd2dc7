import Foundation
import Tensor

/// The synthesis network (skip architecture): W+ codes [N, numWs, wDim] -> images [N, 3, R, R].
public struct SynthesisNetwork: Sendable {
    struct Block: Sendable {
        let resolution: Int
        let const: Tensor?          // [C, 4, 4] for b4
        let conv0: ModulatedConv?   // upsampling, absent in b4
        let conv1: ModulatedConv
        let torgb: ToRGB
        /// Index of the first w this block reads (conv0, or conv1 in b4).
        let wIndex: Int
    }

    let blocks: [Block]
    public let config: GeneratorConfig

    init(checkpoint c: Checkpoint, config: GeneratorConfig) throws {
        self.config = config
        var blocks: [Block] = []
        for r in config.resolutions {
            let ch = config.channels[r]!, p = "synthesis.b\(r)"
            if r == 4 {
                let const = try c.tensor("\(p).const", shape: [ch, 4, 4])
                blocks.append(Block(resolution: 4, const: const, conv0: nil,
                                    conv1: try ModulatedConv(checkpoint: c, prefix: "\(p).conv1", inChannels: ch, outChannels: ch,
                                                             resolution: 4, up: false, wDim: config.wDim, clamp: config.convClamp),
                                    torgb: try ToRGB(checkpoint: c, prefix: "\(p).torgb", channels: ch, wDim: config.wDim, clamp: config.convClamp),
                                    wIndex: 0))
            } else {
                let cin = config.channels[r / 2]!
                let k = Int(log2(Double(r))) - 2
                blocks.append(Block(resolution: r, const: nil,
                                    conv0: try ModulatedConv(checkpoint: c, prefix: "\(p).conv0", inChannels: cin, outChannels: ch,
                                                             resolution: r, up: true, wDim: config.wDim, clamp: config.convClamp),
                                    conv1: try ModulatedConv(checkpoint: c, prefix: "\(p).conv1", inChannels: ch, outChannels: ch,
                                                             resolution: r, up: false, wDim: config.wDim, clamp: config.convClamp),
                                    torgb: try ToRGB(checkpoint: c, prefix: "\(p).torgb", channels: ch, wDim: config.wDim, clamp: config.convClamp),
                                    wIndex: 2 * k - 1))
            }
        }
        self.blocks = blocks
    }

    /// Row `index` of every code: [N, wDim].
    static func wRow(_ ws: Tensor, _ index: Int) -> Tensor {
        let n = ws.shape[0], nw = ws.shape[1], d = ws.shape[2]
        var out = Tensor(zeros: [n, d])
        for i in 0..<n { for k in 0..<d { out.data[i * d + k] = ws.data[(i * nw + index) * d + k] } }
        return out
    }

    /// Generates images; `stopAt` ends early at that resolution (a cheap preview).
    public func callAsFunction(_ ws: Tensor, noise: NoiseMode = .const, stopAt: Int? = nil, seed: UInt64 = 0) -> Tensor {
        synthesize(ws, noise: noise, stopAt: stopAt, seed: seed, record: false).image!
    }

    /// The same, given up (nil) when `isCancelled` says so: for work a newer request makes stale
    /// (the explorer's full-resolution refinement). Looked at between layers and, inside the
    /// large convolutions, between row tiles (`KernelCancellation`), so a 1024 px layer in flight
    /// stops within a tile.
    public func callAsFunction(_ ws: Tensor, noise: NoiseMode = .const, stopAt: Int? = nil, seed: UInt64 = 0,
                               isCancelled: () -> Bool) -> Tensor? {
        withoutActuallyEscaping(isCancelled) { check in
            KernelCancellation.run(checking: check) {
                synthesize(ws, noise: noise, stopAt: stopAt, seed: seed, record: false, isCancelled: check).image
            }
        }
    }

    /// What one layer (modulated conv or ToRGB) read and wrote in a forward pass: all its backward needs.
    struct LayerRecord {
        let wIndex: Int       // the row of ws it read
        let input: Tensor     // [N, I, H, W]
        let styles: Tensor    // [N, I]
        let noise: [Float]?   // as `ModulatedConv.noisePlanes` (nil for ToRGB)
        let output: Tensor    // [N, O, R, R]; for ToRGB before the skip sum
    }

    /// The layers of one block as run (conv0 is nil in b4).
    struct BlockRecord {
        let conv0: LayerRecord?
        let conv1: LayerRecord
        let torgb: LayerRecord
    }

    /// The forward pass behind `callAsFunction`; with `record` it also returns every block's
    /// layer records (for the backward pass), in block order.
    func synthesize(_ ws: Tensor, noise: NoiseMode, stopAt: Int?, seed: UInt64, record: Bool,
                    isCancelled: (() -> Bool)? = nil) -> (image: Tensor?, blocks: [BlockRecord]) {
        precondition(ws.rank == 3 && ws.shape[1] == config.numWs && ws.shape[2] == config.wDim,
                     "ws must be [N, \(config.numWs), \(config.wDim)], got \(ws.shape)")
        var rng = Xoshiro(seed: seed)
        let n = ws.shape[0]
        var x = Tensor(zeros: [0])
        var img: Tensor? = nil
        var records: [BlockRecord] = []
        /// x = layer(x) with row `index` of ws.
        func conv(_ layer: ModulatedConv, _ index: Int, _ name: String) -> LayerRecord? {
            let s = KernelProfile.layer("\(name) affine", kind: "affine") { layer.affine(Self.wRow(ws, index)) }
            let planes = layer.noisePlanes(noise, images: n, rng: &rng)
            let y = KernelProfile.layer(name, kind: layer.algorithm) { layer.forward(x, styles: s, noise: planes) }
            let r = record ? LayerRecord(wIndex: index, input: x, styles: s, noise: planes, output: y) : nil
            x = y
            return r
        }
        for b in blocks {
            if let isCancelled, isCancelled() { return (nil, records) }
            var r0: LayerRecord? = nil, index = b.wIndex
            if let c0 = b.conv0 {
                r0 = conv(c0, index, "b\(b.resolution).conv0")
                index += 1
            } else {
                let c = b.const!
                x = Tensor(zeros: [n] + c.shape)
                for i in 0..<n { x.data.replaceSubrange(i * c.count..<(i + 1) * c.count, with: c.data) }
            }
            // Also between a block's layers: a 1024 px layer takes a tenth of a second or more.
            if let isCancelled, isCancelled() { return (nil, records) }
            let r1 = conv(b.conv1, index, "b\(b.resolution).conv1")
            if let isCancelled, isCancelled() { return (nil, records) }
            let s = KernelProfile.layer("b\(b.resolution).torgb affine", kind: "affine") { b.torgb.affine(Self.wRow(ws, index + 1)) }
            let y = KernelProfile.layer("b\(b.resolution).torgb", kind: "torgb 1x1") { b.torgb.forward(x, styles: s) }
            if let prev = img { KernelProfile.layer("b\(b.resolution).skip", kind: "skip upsample + sum") {
                // The [N, 3] planes upsampled as 3N channels, side by side, ToRGB's output added as they are written.
                var sum = Tensor(uninitialized: y.shape)   // every value is written
                prev.data.withUnsafeBufferPointer { pp in
                    y.data.withUnsafeBufferPointer { yp in
                        sum.data.withUnsafeMutableBufferPointer { sp in
                            Conv.upsample2x(pp.baseAddress!, channels: 3 * n, height: prev.shape[2], width: prev.shape[3],
                                            out: sp.baseAddress!, adding: yp.baseAddress!)
                        }
                    }
                }
                img = sum
            } } else {
                img = y
            }
            if record {
                records.append(BlockRecord(conv0: r0, conv1: r1!,
                                           torgb: LayerRecord(wIndex: index + 1, input: x, styles: s, noise: nil, output: y)))
            }
            if let stop = stopAt, b.resolution >= stop { break }
        }
        // A kernel given up inside the last layers left part of the image unwritten.
        if let isCancelled, isCancelled() { return (nil, records) }
        return (img, records)
    }
}
