export { Module, Parameter, type ModuleStateDict, type IncompatibleKeys } from './module';
export { _NormBase, _BatchNorm, BatchNorm1d, BatchNorm2d, BatchNorm3d } from './batchnorm';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm } from './instancenorm';
