export { Cell, Parameter, type ConstructOptions } from './cell';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm } from './instancenorm';
