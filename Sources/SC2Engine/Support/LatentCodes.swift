import Foundation
import Tensor

/// Latent codes from the files other tools write, told apart by content (`ExchangeFile`):
/// stylegan2-ada-pytorch's projector writes `projected_w.npz` with `w` of shape (1, num_ws, w_dim);
/// e4e, pSp and ReStyle write `latents.pt`, a torch.save'd tensor (N, num_ws, w_dim). A single w
/// (w_dim,), (1, w_dim) is broadcast to every row; (num_ws, w_dim) is one W+ code; (N, w_dim) is
/// N codes of w. `FILE#INDEX` picks one code of a batch (needed when it holds more than one).
public enum LatentCodes {
    /// One W+ code [1, numWs, wDim] from `url`; `index` picks one of a batch.
    public static func read(_ url: URL, numWs: Int, wDim: Int, index: String? = nil) throws -> Tensor {
        try ExchangeFile.read(url).code(key: index, numWs: numWs, wDim: wDim)
    }

    /// The same for `FILE` or `FILE#INDEX`.
    public static func read(reference: String, numWs: Int, wDim: Int) throws -> Tensor {
        let (path, key) = ExchangeFile.reference(reference)
        return try read(URL(fileURLWithPath: path), numWs: numWs, wDim: wDim, index: key)
    }
}
