/**
 * The PyTorch release the torch facade mirrors: its Python modules (instancenorm.py, batchnorm.py,
 * module.py, functional.py) and ATen's CPU kernels (Normalization.cpp, cpu/batch_norm_kernel.cpp,
 * cpu/SumKernel.cpp, cpu/mixed_data_type.h). Behaviour that changed after it (for example
 * pytorch/pytorch#164069, which lets float64 input through a float32 module's running stats on the
 * CPU) is not followed.
 */
export const PYTORCH_RELEASE = '2.10';
