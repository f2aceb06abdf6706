import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { attachmentRoutes } from './attachments.routes';
import { caseRoutes } from './cases.routes';
import { directoryRoutes } from './directory.routes';
import { reportRoutes } from './reports.routes';

/** Every route of the speak-up module: reporting, receipts, case handling, statistics. */
export function speakUpRoutes(services: Services): AnyRoute[] {
  return [
    ...reportRoutes(services),
    ...caseRoutes(services),
    ...attachmentRoutes(services),
    ...directoryRoutes(services),
  ];
}
