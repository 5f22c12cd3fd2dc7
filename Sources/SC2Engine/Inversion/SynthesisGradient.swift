import Foundation
import Tensor

/// Analytic gradients through the synthesis network, w.r.t. the W+ codes (for projection).
/// Noise is a constant of the pass; the generator's weights are fixed.
extension SynthesisNetwork {
    /// Runs the forward pass (exactly `callAsFunction(ws, noise:, seed:)`, recording what the
    /// backward needs), asks `upstream` for the loss of the image [N, 3, R, R] and its gradient
    /// (same shape), and back-propagates that to dL/dws [N, numWs, wDim]. With `.random` noise the
    /// backward uses the very draws of the forward. A single w broadcast to all rows gets the sum
    /// of the rows' gradients.
    package func forwardBackward(_ ws: Tensor, noise: NoiseMode = .const, seed: UInt64 = 0,
                                upstream: (Tensor) throws -> (loss: Double, gradient: Tensor)) rethrows
        -> (image: Tensor, loss: Double, gradient: Tensor) {
        let (forward, recorded) = synthesize(ws, noise: noise, stopAt: nil, seed: seed, record: true)
        let image = forward!
        var records = recorded
        let (loss, imageGradient) = try KernelProfile.layer("loss", kind: "loss") { try upstream(image) }
        precondition(imageGradient.shape == image.shape, "upstream gradient \(imageGradient.shape) must match the image \(image.shape)")
        var gws = Tensor(zeros: ws.shape)
        var gImg = imageGradient   // dL/d(image after the current block)
        // The layer above whose input gradient g_sx is known and waits for the pass over its input
        // (its style gradient needs that input), and that gradient, which the pass overwrites.
        var upper: BackwardPass.Upper? = nil
        var gsx = Tensor(zeros: [0])
        // Backwards through the blocks, dropping each block's activations once done with them. Every
        // recorded activation is read once: one pass (`BackwardPass`) over a layer's output takes the
        // style gradients of the layers that read it (the conv above, ToRGB) and that layer's own
        // activation derivative; then the layer's input gradient (a transposed convolution).
        while let r = records.popLast() {
            let b = blocks[records.count]
            let res = b.resolution
            let rgb = KernelProfile.layer("b\(res).torgb backward", kind: "torgb backward") {
                b.torgb.backwardInput(gImg, record: r.torgb)
            }
            KernelProfile.layer("b\(res).conv1 backward", kind: "conv3x3 backward") {
                let e = BackwardPass.run(activation: r.conv1.output, upper: upper, gradient: &gsx, rgb: rgb,
                                         lower: (b.conv1, r.conv1), wsGradient: &gws)!
                gsx = b.conv1.inputGradient(gsx, input: r.conv1.input)
                upper = BackwardPass.Upper(layer: b.conv1, record: r.conv1, e: e)
            }
            if let c0 = b.conv0, let r0 = r.conv0 {
                KernelProfile.layer("b\(res).conv0 backward", kind: "up-conv backward") {
                    let e = BackwardPass.run(activation: r0.output, upper: upper, gradient: &gsx, rgb: nil,
                                             lower: (c0, r0), wsGradient: &gws)!
                    gsx = c0.inputGradient(gsx, input: r0.input)
                    upper = BackwardPass.Upper(layer: c0, record: r0, e: e)
                }
                gImg = KernelProfile.layer("b\(res).skip backward", kind: "skip backward") { Self.upsample2xAdjoint(gImg) }
            }
        }
        // The first layer reads the constant input: only its style gradient is left.
        if let upper {
            KernelProfile.layer("b4.conv1 style", kind: "conv3x3 backward") {
                _ = BackwardPass.run(activation: upper.record.input, upper: upper, gradient: &gsx, rgb: nil, lower: nil, wsGradient: &gws)
            }
        }
        return (image, loss, gws)
    }

    /// Adjoint of the skip path's upsampling on a batch: [N, 3, 2H, 2W] -> [N, 3, H, W].
    static func upsample2xAdjoint(_ g: Tensor) -> Tensor {
        let n = g.shape[0], c = g.shape[1], h = g.shape[2] / 2, w = g.shape[3] / 2
        var out = Tensor(zeros: [n, c, h, w])
        g.data.withUnsafeBufferPointer { gp in
            out.data.withUnsafeMutableBufferPointer { op in
                for i in 0..<n {
                    Conv.upsample2xAdjoint(gp.baseAddress! + i * c * 4 * h * w, channels: c, height: h, width: w,
                                           out: op.baseAddress! + i * c * h * w)
                }
            }
        }
        return out
    }

    /// gws[:, row, :] += gw [N, wDim].
    static func accumulate(_ gw: Tensor, row: Int, into gws: inout Tensor) {
        let n = gws.shape[0], nw = gws.shape[1], d = gws.shape[2]
        for i in 0..<n { for k in 0..<d { gws.data[(i * nw + row) * d + k] += gw.data[i * d + k] } }
    }
}

extension StyleAffine {
    /// s = w A^T + b, so dL/dw = dL/ds A: [N, C] -> [N, wDim].
    func backward(_ gs: Tensor) -> Tensor { Tensor.matmul(gs, weight) }
}

extension ModulatedConv {
    /// Winograd weights of the input-gradient convolution (W flipped, [I, O, 3, 3]) for the layers
    /// whose forward runs by Winograd; made at the first backward pass and kept.
    func adjointWinograd() -> WinogradWeights? {
        guard winograd != nil else { return nil }
        return adjointCache.value.withLock { cached in
            if let cached { return cached }
            let ic = inChannels, oc = outChannels
            var flipped = [Float](repeating: 0, count: weight.count)
            for o in 0..<oc { for i in 0..<ic { for k in 0..<9 { flipped[(i * oc + o) * 9 + 8 - k] = weight[(o * ic + i) * 9 + k] } } }
            let w = WinogradWeights(weight: flipped, outChannels: ic, inChannels: oc, tile: winograd!.tile)
            cached = w
            return w
        }
    }

    /// g_sx = conv^T(W, g_u) [N, I, H, W], the gradient w.r.t. the modulated input s ⊙ x (for `up`
    /// the adjoint of the FIR, then of the stride-2 transposed conv; otherwise the 3x3 correlation
    /// with the kernel flipped and its channels swapped, by Winograd where the forward uses it).
    func inputGradient(_ gu: Tensor, input x: Tensor) -> Tensor {
        var gx = Tensor(uninitialized: x.shape)
        if up {
            Conv.upConv3x3FIRAdjoint(gu, weight: weight, inChannels: inChannels, into: &gx)
        } else if let adjoint = adjointWinograd() {
            Conv.conv3x3Winograd(gu, weights: adjoint, scale: nil, into: &gx)
        } else {
            Conv.conv3x3Adjoint(gu, weight: weight, inChannels: inChannels, into: &gx)
        }
        return gx
    }
}

extension ToRGB {
    /// What `BackwardPass` needs of this layer for dL/dy [N, 3, R, R] (y before the skip sum): g_v,
    /// dL/dy where the output was not clamped (zero where it was), and the modulated weights
    /// W ⊙ s per image. Then g_x = (W ⊙ s)^T g_v and g_s[i] = sum_o W[o,i] sum_hw g_v[o] x_i.
    func backwardInput(_ gy: Tensor, record r: SynthesisNetwork.LayerRecord) -> BackwardPass.RGB {
        let n = gy.shape[0], c = channels, hw = gy.shape[2] * gy.shape[3]
        precondition(gy.shape == r.output.shape, "ToRGB.backward: gradient \(gy.shape) vs output \(r.output.shape)")
        var g = gy
        g.data.withUnsafeMutableBufferPointer { gp in
        r.output.data.withUnsafeBufferPointer { yp in
            BiasAct.backward(gp.baseAddress!, output: yp.baseAddress!, channels: 3 * n, plane: hw, lrelu: false, clamp: clamp)
        } }
        var wm = [Float](repeating: 0, count: n * 3 * c)
        for img in 0..<n { for o in 0..<3 { for i in 0..<c { wm[(img * 3 + o) * c + i] = weight[o * c + i] * r.styles.data[img * c + i] } } }
        return BackwardPass.RGB(layer: self, record: r, gradient: g, modulated: wm)
    }
}
