import { monolithSide } from './monolith-side';
import { describePaymentsApi } from './payments-api';

describePaymentsApi(monolithSide);
