export { Module, Parameter, type StateDict, type IncompatibleKeys } from './module';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm } from './instancenorm';
