export { generateSite, type SiteAssets, type SiteSource, type SiteFiles } from './generate';
export { readSiteAssets, SITE_ASSETS_DIR } from './assets';
export { ASSETS, SITE_INDEX } from './layout';
