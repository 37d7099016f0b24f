import { describePaymentsApi } from './payments-api';
import { paymentsServiceSide } from './payments-service-side';

describePaymentsApi(paymentsServiceSide);
