/**
 * Where model code finds the layer classes, from data: a class is written with its public path
 * (mapping.json's signature name, `torch.nn.InstanceNorm1d`) and may be imported from any package
 * between the module that defines it (the registry's `modules`, `torch.nn.modules.instancenorm`)
 * and that public package, since both frameworks re-export their layers at each level.
 */
import { FAMILIES, type Framework } from '../../families';
import { mappingEntry } from '../../mapping';

export interface ClassAt {
  framework: Framework;
  api: string;
}

const FRAMEWORKS: readonly Framework[] = ['torch', 'mindspore'];

/** `a.b.c` -> `a.b`. */
export function parentOf(path: string): string {
  return path.split('.').slice(0, -1).join('.');
}

/** The path a framework's class is written with: `torch.nn.InstanceNorm1d`. */
export function publicPath(framework: Framework, api: string): string {
  return mappingEntry(api)[framework].name;
}

/** The package of that path: `torch.nn`. */
export function publicPackage(framework: Framework, api: string): string {
  return parentOf(publicPath(framework, api));
}

let byPath: Map<string, ClassAt> | undefined;

function classPaths(): Map<string, ClassAt> {
  if (byPath) return byPath;
  const paths = new Map<string, ClassAt>();
  for (const family of FAMILIES) {
    for (const framework of FRAMEWORKS) {
      const module = family.modules[framework];
      for (const { api } of family.classes) {
        const top = publicPackage(framework, api);
        if (module !== top && !module.startsWith(`${top}.`)) throw new Error(`family ${family.name}: ${framework}'s module ${module} is not inside ${top}, where mapping.json writes ${api}`);
        for (let at = module; ; at = parentOf(at)) {
          paths.set(`${at}.${api}`, { framework, api });
          if (at === top) break;
        }
      }
    }
  }
  return (byPath = paths);
}

/** The framework and class a fully-qualified path names (`torch.nn.modules.instancenorm.InstanceNorm1d`), if it is a registered class. */
export function classAtPath(path: string): ClassAt | null {
  return classPaths().get(path) ?? null;
}

/** The packages a framework's classes are written from (`torch.nn`). */
export function layerPackages(framework: Framework): string[] {
  return [...new Set(FAMILIES.flatMap((f) => f.classes.map((c) => publicPackage(framework, c.api))))];
}
