/**
 * JSON Schema of a map file, so a broken map is reported with the JSON path of the mistake when it
 * is loaded rather than failing halfway through a partner's file.
 */
import { COMPUTED, TRANSFORMS } from './map-definition.js';

const when = {
  type: 'object',
  propertyNames: { pattern: '^[0-9]+(\\.[0-9]+)?$' },
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;

const direction = { enum: ['inbound', 'outbound', 'both'] } as const;

export const mapFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $defs: {
    element: {
      type: 'object',
      additionalProperties: false,
      required: ['el'],
      properties: {
        el: { type: 'integer', minimum: 1 },
        comp: { type: 'integer', minimum: 1 },
        to: { type: 'string', minLength: 1 },
        transform: { enum: TRANSFORMS },
        table: { type: 'string', minLength: 1 },
        tableDefault: { type: 'string' },
        tableOnly: { type: 'boolean' },
        default: { type: ['string', 'number', 'boolean'] },
        noValue: { type: 'string', minLength: 1 },
        fixed: { type: 'string' },
        compute: { enum: COMPUTED },
        onlyIfUnset: { type: 'boolean' },
        maxLength: { type: 'integer', minimum: 1 },
        mustFit: { type: 'string', minLength: 1 },
        onlyIfCodeIn: { type: 'string', minLength: 1 },
        unlessSet: { type: 'string', minLength: 1 },
        negate: {
          type: 'object',
          additionalProperties: false,
          required: ['seg', 'when'],
          properties: {
            seg: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
            when: { ...when, minProperties: 1 },
          },
        },
        direction,
        pairs: {
          type: 'object',
          additionalProperties: false,
          properties: { promote: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        groupKey: { type: 'boolean' },
        toGroup: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        leftOut: { type: 'string', minLength: 1 },
        whenMissing: { type: 'string', minLength: 1 },
      },
    },
    segmentRule: {
      type: 'object',
      additionalProperties: false,
      required: ['seg', 'elements'],
      properties: {
        id: { type: 'string' },
        seg: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
        when,
        repeat: { type: 'string', minLength: 1 },
        always: { type: 'boolean' },
        onlyWhenItFits: { type: 'boolean' },
        lastOf: { type: 'string', minLength: 1 },
        whileUnset: { type: 'string', minLength: 1 },
        whenItem: {
          type: 'object',
          minProperties: 1,
          additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
        splitsItem: { type: 'boolean' },
        leftOut: { type: 'string', minLength: 1 },
        skipWritten: { type: 'boolean' },
        elementRepeats: { type: 'integer', minimum: 2, maximum: 99 },
        requires: {
          type: 'object',
          additionalProperties: false,
          required: ['anyOf', 'reason'],
          properties: {
            anyOf: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
            reason: { type: 'string', minLength: 1 },
          },
        },
        direction,
        elements: { type: 'array', items: { $ref: '#/$defs/element' } },
        init: { type: 'object' },
      },
    },
    loopRule: {
      type: 'object',
      additionalProperties: false,
      required: ['loop', 'rules'],
      properties: {
        id: { type: 'string' },
        loop: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
        when,
        repeat: { type: 'string', minLength: 1 },
        direction,
        init: { type: 'object' },
        initFrom: { type: 'object', additionalProperties: { type: 'string', pattern: '^\\$\\.' } },
        whileUnset: { type: 'string', minLength: 1 },
        groupBy: {
          type: 'object',
          additionalProperties: false,
          required: ['list', 'key'],
          properties: {
            list: { type: 'string', pattern: '^\\$\\.[A-Za-z_][A-Za-z0-9_]*$' },
            key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            splitBy: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
            init: { type: 'object' },
          },
        },
        onlyWith: {
          type: 'object',
          additionalProperties: false,
          required: ['seg', 'reason'],
          properties: {
            seg: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
            reason: { type: 'string', minLength: 1 },
          },
        },
        rules: { $ref: '#/$defs/rules' },
      },
    },
    hierarchyRule: {
      type: 'object',
      additionalProperties: false,
      required: ['hierarchy', 'levels'],
      properties: {
        id: { type: 'string' },
        hierarchy: {
          type: 'object',
          additionalProperties: false,
          required: ['seg', 'id', 'parent', 'level', 'root'],
          properties: {
            seg: { type: 'string', pattern: '^[A-Z0-9]{2,3}$' },
            id: { type: 'integer', minimum: 1 },
            parent: { type: 'integer', minimum: 1 },
            level: { type: 'integer', minimum: 1 },
            childCode: { type: 'integer', minimum: 1 },
            root: { type: 'string', minLength: 1 },
          },
        },
        levels: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            required: ['rules'],
            properties: {
              rules: { $ref: '#/$defs/rules' },
              init: { type: 'object' },
              children: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['level', 'path'],
                  properties: { level: { type: 'string' }, path: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    rules: {
      type: 'array',
      // if/then instead of oneOf: the rule kind is known from its key, so errors name one branch only.
      items: {
        if: { type: 'object', required: ['seg'] },
        then: { $ref: '#/$defs/segmentRule' },
        else: {
          if: { type: 'object', required: ['loop'] },
          then: { $ref: '#/$defs/loopRule' },
          else: { $ref: '#/$defs/hierarchyRule' },
        },
      },
    },
  },
  type: 'object',
  additionalProperties: false,
  required: ['name', 'standard', 'message', 'documentType', 'rules'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9-]+$' },
    standard: { enum: ['x12', 'edifact'] },
    message: { type: 'string', minLength: 1 },
    versions: { type: 'array', items: { type: 'string' } },
    documentType: { type: 'string', minLength: 1 },
    split: { type: 'string' },
    timeZone: { type: 'string' },
    defaults: { type: 'object' },
    rules: { $ref: '#/$defs/rules' },
  },
} as const;

const { segmentRule, loopRule, hierarchyRule } = mapFileSchema.$defs;
const { id: _segmentId, ...segmentRuleProperties } = segmentRule.properties;
const { id: _loopId, ...loopRuleProperties } = loopRule.properties;
const { id: _hierarchyId, ...hierarchyRuleProperties } = hierarchyRule.properties;

/**
 * A partner file: edi-maps/partners/<partnerId>/partner.yaml. A rule override takes any property
 * of a rule but its id (`elements` merge by `el`); the merged map is then validated as a map file.
 */
export const partnerFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $defs: {
    ...mapFileSchema.$defs,
    ruleOverride: {
      type: 'object',
      additionalProperties: false,
      properties: { ...segmentRuleProperties, ...loopRuleProperties, ...hierarchyRuleProperties },
    },
  },
  type: 'object',
  additionalProperties: false,
  properties: {
    timeZone: { type: 'string', minLength: 1 },
    codeTables: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
    },
    maps: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          rules: { type: 'object', additionalProperties: { $ref: '#/$defs/ruleOverride' } },
          defaults: { type: 'object' },
        },
      },
    },
  },
} as const;
