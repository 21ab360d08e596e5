/** The site's own words (its chrome and the playground), per language; the pages' content comes from src/mapping/render. */
import type { Lang } from '../mapping/render/labels';
import type { KINDS } from '../mapping/schema';
import type { Framework, Verdict } from '../mapping';

type Kind = (typeof KINDS)[number];

export interface SiteLabels {
  lang: string;
  langName: string;
  siteTitle: string;
  indexIntro: string;
  filter: string;
  shown: (shown: number, total: number) => string;
  noMatch: string;
  generatedIndex: string;
  /** A row kind's name; one without a label here (a family's new kind) shows mapping.json's own word. */
  kinds: Partial<Record<Kind, string>>;
  docsLink: (framework: string) => string;
  playground: string;
  playgroundIntro: string;
  noScript: string;
  inputTensor: string;
  inputHelp: string;
  mode: string;
  train: string;
  eval: string;
  output: (framework: string) => string;
  outputHelp: string;
  required: string;
  reset: string;
  kernel: (name: string) => string;
  difference: {
    equal: (n: number) => string;
    rounding: (n: number, total: number, max: string) => string;
    differs: (n: number, total: number, max: string) => string;
    shapes: string;
    /** What the two highlights mean: [beyond rounding, rounding]. */
    legend: [string, string];
  };
  verdict: {
    title: string;
    verdicts: Record<Verdict, string>;
    basis: { toMindspore: string; toTorch: string; both: string; neither: string };
    ports: string;
    direction: Record<'toMindspore' | 'toTorch', string>;
    writes: string;
    mismatch: (framework: string, arg: string, have: string, port: string) => string;
    defaultValue: string;
    fix: string;
  };
  frameworkName: Record<Framework, string>;
}

export function kindLabel(L: SiteLabels, kind: Kind): string {
  return L.kinds[kind] ?? kind;
}

export const SITE_LABELS: Record<Lang, SiteLabels> = {
  en: {
    lang: 'en',
    langName: 'English',
    siteTitle: 'PyTorch ↔ MindSpore: differences, live',
    indexIntro: 'Every layer pair of mapping.json: the difference page, generated from the data and proved by tests, with a playground that runs both frameworks in your browser.',
    filter: 'Filter pairs: a class, an argument, a word',
    shown: (shown, total) => `${shown} of ${total} pairs`,
    noMatch: 'No pair matches.',
    generatedIndex: 'All pairs with the facades’ deliberate departures and the errata against the published pages',
    kinds: { same: 'same', 'default differs': 'default differs', 'torch only': 'PyTorch only', 'MindSpore only': 'MindSpore only', 'input differs': 'input differs' },
    docsLink: (framework) => `${framework} docs`,
    playground: 'Playground',
    playgroundIntro: 'Both layers computed in this page by instancenorm-shim’s facades. Arguments are Python literals (2, 1e-5, True, None, \'ones\', mstype.float32); an empty field is the default.',
    noScript: 'The playground needs JavaScript, which is off.',
    inputTensor: 'Input tensor (float32)',
    inputHelp: 'A nested list, as numpy prints or takes it.',
    mode: 'Mode',
    train: 'train',
    eval: 'eval',
    output: (framework) => `${framework} output`,
    outputHelp: 'Every element, numpy style, 8 significant digits (9 where float32 needs them).',
    required: 'required',
    reset: 'Reset to the example',
    kernel: (name) => `kernel: ${name}`,
    difference: {
      equal: (n) => `All ${n} elements are equal.`,
      rounding: (n, total, max) => `${n} of ${total} elements differ by float32 rounding only (max |difference| ${max}).`,
      differs: (n, total, max) => `${n} of ${total} elements differ beyond rounding (max |difference| ${max}).`,
      shapes: 'The outputs have different shapes.',
      legend: ['differs beyond 1e-5 relative', 'float32 rounding'],
    },
    verdict: {
      title: 'Porting verdict:',
      verdicts: { exact: 'exact', differs: 'differs', 'needs weights': 'needs weights' },
      basis: {
        toMindspore: 'The MindSpore call is the port of the PyTorch call.',
        toTorch: 'The PyTorch call is the port of the MindSpore call.',
        both: 'Each call is the port of the other.',
        neither: 'Neither call is the port of the other:',
      },
      ports: 'What the porting rules of mapping.json say for each direction',
      direction: { toMindspore: 'PyTorch → MindSpore', toTorch: 'MindSpore → PyTorch' },
      writes: 'writes',
      mismatch: (framework, arg, have, port) => `${framework} ${arg}: ${have} here, the port writes ${port}`,
      defaultValue: 'default',
      fix: 'fix',
    },
    frameworkName: { torch: 'PyTorch', mindspore: 'MindSpore' },
  },
  zh: {
    lang: 'zh-CN',
    langName: '中文',
    siteTitle: 'PyTorch ↔ MindSpore：差异对比，在线试算',
    indexIntro: 'mapping.json 中的每一对接口：由数据生成、经测试证明的差异页面，以及在浏览器中同时运行两个框架的在线试算。',
    filter: '筛选：类名、参数名或任意词',
    shown: (shown, total) => `共 ${total} 对，显示 ${shown} 对`,
    noMatch: '没有匹配的接口。',
    generatedIndex: '全部接口、门面有意的不同之处，以及与已发布页面的勘误',
    kinds: { same: '一致', 'default differs': '默认值不同', 'torch only': '仅 PyTorch', 'MindSpore only': '仅 MindSpore', 'input differs': '输入不同' },
    docsLink: (framework) => `${framework} 文档`,
    playground: '在线试算',
    playgroundIntro: '两个层都由 instancenorm-shim 的门面在本页中计算。参数写成 Python 字面量（2、1e-5、True、None、\'ones\'、mstype.float32）；留空即默认值。',
    noScript: '在线试算需要 JavaScript，当前已关闭。',
    inputTensor: '输入张量（float32）',
    inputHelp: '嵌套列表，numpy 打印或接受的写法均可。',
    mode: '模式',
    train: '训练',
    eval: '推理',
    output: (framework) => `${framework} 输出`,
    outputHelp: '逐个元素，numpy 格式，8 位有效数字（float32 需要时为 9 位）。',
    required: '必填',
    reset: '恢复为示例',
    kernel: (name) => `内核：${name}`,
    difference: {
      equal: (n) => `全部 ${n} 个元素相等。`,
      rounding: (n, total, max) => `${total} 个元素中有 ${n} 个仅有 float32 舍入误差（最大差 ${max}）。`,
      differs: (n, total, max) => `${total} 个元素中有 ${n} 个的差异超出舍入误差（最大差 ${max}）。`,
      shapes: '两个输出的形状不同。',
      legend: ['相对差异超过 1e-5', 'float32 舍入误差'],
    },
    verdict: {
      title: '迁移结论：',
      verdicts: { exact: '完全一致 (exact)', differs: '有差异 (differs)', 'needs weights': '需要转换权重 (needs weights)' },
      basis: {
        toMindspore: 'MindSpore 的调用是 PyTorch 调用的迁移结果。',
        toTorch: 'PyTorch 的调用是 MindSpore 调用的迁移结果。',
        both: '两个调用互为迁移结果。',
        neither: '两个调用都不是对方的迁移结果：',
      },
      ports: 'mapping.json 的迁移规则对两个方向的结论',
      direction: { toMindspore: 'PyTorch → MindSpore', toTorch: 'MindSpore → PyTorch' },
      writes: '写为',
      mismatch: (framework, arg, have, port) => `${framework} 的 ${arg}：此处为 ${have}，迁移结果为 ${port}`,
      defaultValue: '默认值',
      fix: '处理',
    },
    frameworkName: { torch: 'PyTorch', mindspore: 'MindSpore' },
  },
};
