/**
 * instancenorm-shim: normalization layers that behave exactly like PyTorch's and MindSpore's, one
 * numeric core under both, and the tools to port code, configs and weights between them.
 */
export { Tensor, type NestedNumbers } from './core/tensor';
export type { DType, FloatDType } from './core/dtype';
export { PyTypeError as TypeError, ValueError, RuntimeError, KeyError, IndexError, AttributeError, isPyError } from './core/errors';
export { instanceNorm, type InstanceNormOptions } from './core/instance-norm';
export { instanceNormReference } from './core/reference';
export { batchNorm, type BatchNormOptions } from './core/batch-norm';
export { batchNormReference } from './core/batch-norm-reference';
export * as torch from './torch';
export * as mindspore from './mindspore';
/** Python's `warnings` for both facades (mindspore's load_param_into_net warns too; `torch.warnings` is the same module). */
export * as warnings from './core/warnings';
export { toOnnx, MIN_OPSET, MAX_OPSET, DEFAULT_OPSET, type ExportOptions } from './onnx/export';
export { verifyOnnx, DEFAULT_TOLERANCE, type VerifyOptions, type VerifyReport, type VerifyRun } from './onnx/verify';
export { readStateDict, writeStateDict, decodeStateDict, encodeStateDict, formatOfPath, FormatError, UnpicklingError, type StateDict, type FormatName } from './io/formats';
export { convertStateDict, formatReport, type LayerSpec, type ConversionReport } from './porting/convert';
export { portSource, portExpression, type PortedSource, type CallReport, type ImportReport } from './porting/python/rewrite';
export { modelLayers, type ModelLayer } from './porting/python/layers';
