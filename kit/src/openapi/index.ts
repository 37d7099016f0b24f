export { ApiRegistry, BEARER_AUTH, jsonContent, openApiDocument, type ApiDescription, type DocumentInfo, type OpenApiDocument } from './api-document';
export { problemSchema } from './problem-schema';
export { openApiRoute } from './openapi-route';
export { apiDifferences } from './api-differences';
