import { describeAuthApi } from './auth-api';
import { monolithSide } from './monolith-side';

describeAuthApi(monolithSide);
