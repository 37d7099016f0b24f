import { describeAuthApi } from './auth-api';
import { authServiceSide } from './auth-service-side';

describeAuthApi(authServiceSide);
