// Installs what the test suite needs beyond npm packages: Debian's chromium (UI tests), CJK fonts (so
// screenshots and PDFs show Chinese) and poppler-utils (pdftotext reads exported PDFs back).
// Runs before `npm test`; does nothing when they are present.
import { ensurePackages, RUNTIME_PACKAGES } from './ensure-packages.mjs'

ensurePackages([
  ['/usr/bin/chromium', 'chromium'],
  ...RUNTIME_PACKAGES,
  ['/usr/bin/pdftotext', 'poppler-utils'],
], 'test setup')
