export { Cell, Parameter, type ConstructOptions } from './cell';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm } from './instancenorm';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm } from './batchnorm';
