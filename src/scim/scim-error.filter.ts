import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { errorBodyLogged, errorHeaders } from '../common/error.filter.js';
import { SCIM_MEDIA_TYPE, ScimError, scimErrorBody } from './scim-resources.js';

/** Every refusal on /scim/v2 in SCIM form (RFC 7644 section 3.12), whatever threw it. */
@Catch()
export class ScimErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    let status: number;
    let body: Record<string, unknown>;
    const headers: Record<string, string> = {};
    if (exception instanceof ScimError) {
      status = exception.status;
      body = scimErrorBody(status, exception.message, exception.scimType);
      if (status === 401) headers['WWW-Authenticate'] = 'Bearer realm="scim"';
    } else {
      const common = errorBodyLogged(exception);
      status = common.statusCode;
      const field = typeof common.details.field === 'string' ? ` (${common.details.field})` : '';
      const scimType = common.code === 'invalid_json' ? 'invalidSyntax' : status === 400 ? 'invalidValue' : undefined;
      body = scimErrorBody(status, `${common.message}${field}`, scimType);
      Object.assign(headers, errorHeaders(common));
    }
    res.status(status).set(headers).type(SCIM_MEDIA_TYPE).send(JSON.stringify(body));
  }
}
