export { Cell, Parameter } from './cell';
export { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm, type ConstructOptions } from './instancenorm';
