/**
 * The seed page's code example: both facades must print the numbers the page published for
 * PyTorch and for MindSpore, to 2e-6. The expected numbers are the page's own, copied here from
 * ../shared/seed/InstanceNorm1d.zh.md (not read through mapping.json, so a wrong mapping cannot
 * make this pass).
 */
import { Tensor, mindspore, torch } from '../src';
import { maxAbsDiff } from './helpers/close';

const input = [[[0.7, 0.5, 0.5, 0.6], [0.5, 0.4, 0.6, 0.9]]];
const publishedTorch = [[[1.5064616e+00, -9.0387678e-01, -9.0387678e-01, 3.0129281e-01], [-5.3444624e-01, -1.0688924e+00, 3.2054459e-08, 1.6033382e+00]]];
const publishedMindSpore = [[[1.5064610e+00, -9.0387726e-01, -9.0387726e-01, 3.0129224e-01], [-5.3444624e-01, -1.0688924e+00, 3.2054459e-08, 1.6033382e+00]]];

describe('seed page example (InstanceNorm1d.zh.md, 代码示例)', () => {
  it('torch: nn.InstanceNorm1d(num_features=2) gives the published PyTorch output', () => {
    const m = new torch.nn.InstanceNorm1d({ num_features: 2 });
    const out = m.forward(Tensor.from(input));
    expect(out.dtype).toBe('float32');
    expect(maxAbsDiff(out, publishedTorch)).toBeLessThanOrEqual(2e-6);
  });

  it('mindspore: nn.InstanceNorm1d(num_features=2, affine=False), set_train() gives the published MindSpore output', () => {
    const m = new mindspore.nn.InstanceNorm1d({ num_features: 2, affine: false });
    m.set_train();
    const out = m.construct(mindspore.Tensor(input));
    expect(maxAbsDiff(out, publishedMindSpore)).toBeLessThanOrEqual(2e-6);
  });

  it('the published outputs print back exactly as numpy printed them on the page', () => {
    expect(String(Tensor.from(publishedTorch))).toBe(
      '[[[ 1.5064616e+00 -9.0387678e-01 -9.0387678e-01  3.0129281e-01]\n  [-5.3444624e-01 -1.0688924e+00  3.2054459e-08  1.6033382e+00]]]',
    );
  });
});
