import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';

// The registry names components through `.openapi(...)`, which this adds to zod's schemas.
extendZodWithOpenApi(z);
