import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { JSON_BODY_LIMIT } from '../common/error.filter.js';
import { SCIM_MEDIA_TYPE, scimErrorBody } from './scim-resources.js';

/**
 * The body parser of /scim/v2: JSON sent as application/scim+json or application/json, and its refusals
 * (bad JSON, too large) in SCIM form, since they happen before any controller's filter could answer.
 */
export function scimBodyParser(): [RequestHandler, ErrorRequestHandler] {
  const parse = express.json({ limit: JSON_BODY_LIMIT, type: ['application/json', 'application/*+json'] });
  const refuse: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (!err || typeof err.status !== 'number' || err.status >= 500) return next(err);
    const detail =
      err.type === 'entity.too.large'
        ? `The request body is larger than the limit of ${JSON_BODY_LIMIT}`
        : err.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON'
          : `The request body could not be read (${err.type ?? 'unknown'})`;
    res.status(err.status).type(SCIM_MEDIA_TYPE).send(JSON.stringify(scimErrorBody(err.status, detail, err.type === 'entity.parse.failed' ? 'invalidSyntax' : undefined)));
  };
  return [parse, refuse];
}
