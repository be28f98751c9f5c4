/**
 * createCustomer (customer_add) and updateCustomer (customer_update, read–merge–write).
 *
 * Scope: `hold`. Creating or correcting an account moves no money, but it is a write, so `read`
 * is not enough; and it comes before checkout (check_out needs an account), so a client that may
 * hold seats must be able to create the account they go to without holding `buy`. An
 * account-bound token may update only its own account and may not create accounts (a new
 * account is not its own).
 */
import { createCustomer, updateCustomer } from '../../resolvers/customers.js';
import { EmailAlreadyExists, NotFound } from '../../resolvers/failures.js';
import type { CustomerRecord } from '../../src/archtics/types.js';
import { builder } from '../builder.js';
import './failures.js';
import { tierFor } from './mutation.js';
import { CustomerRef } from './refs.js';

const CreateCustomerInput = builder.inputType('CreateCustomerInput', {
  description: 'A new account holder.',
  fields: (t) => ({
    firstName: t.string({ required: true, description: 'First name.' }),
    lastName: t.string({ required: true, description: 'Last name.' }),
    email: t.string({
      required: true,
      description: 'E-mail address; must not belong to another account.',
    }),
    street1: t.string({ description: 'Street address.' }),
    city: t.string({ description: 'City.' }),
    state: t.string({ description: 'State or region.' }),
    zip: t.string({ description: 'Postal code.' }),
    country: t.string({ description: 'Country.' }),
    phone: t.string({ description: 'Daytime phone.' }),
  }),
});

const UpdateCustomerInput = builder.inputType('UpdateCustomerInput', {
  description:
    'A patch: a field left out keeps its value, a field set to null is cleared (firstName, lastName and email cannot be cleared).',
  fields: (t) => ({
    acctId: t.int({ required: true, description: 'The account to change.' }),
    firstName: t.string({ description: 'First name.' }),
    middleInitial: t.string({ description: 'Middle initial (one character).' }),
    lastName: t.string({ description: 'Last name.' }),
    companyName: t.string({ description: 'Company name.' }),
    email: t.string({ description: 'E-mail address; must not belong to another account.' }),
    street1: t.string({ description: 'Street address, first line.' }),
    street2: t.string({ description: 'Street address, second line.' }),
    city: t.string({ description: 'City.' }),
    state: t.string({ description: 'State or region.' }),
    zip: t.string({ description: 'Postal code.' }),
    country: t.string({ description: 'Country.' }),
    phoneDay: t.string({ description: 'Daytime phone.' }),
    phoneCell: t.string({ description: 'Mobile phone.' }),
    emailOptOut: t.boolean({ description: 'True to receive no marketing e-mail.' }),
  }),
});

const CreateCustomerSuccess = builder
  .objectRef<{ acctId: number }>('CreateCustomerSuccess')
  .implement({
    description: 'The account was created.',
    fields: (t) => ({
      acctId: t.exposeInt('acctId', { description: 'Id of the new account.' }),
      customer: t.field({
        type: CustomerRef,
        nullable: true,
        description: 'The new account (customer_query).',
        resolve: (r, _a, ctx) => ctx.loaders.customers.byId.load(r.acctId),
      }),
    }),
  });

const UpdateCustomerSuccess = builder.objectRef<CustomerRecord>('UpdateCustomerSuccess').implement({
  description: 'The account as it now is.',
  fields: (t) => ({
    customer: t.field({
      type: CustomerRef,
      description: 'The updated account.',
      resolve: (c) => c,
    }),
  }),
});

const CreateCustomerPayload = builder.errorUnion('CreateCustomerPayload', {
  description: 'The new account, or why not.',
  types: [CreateCustomerSuccess, EmailAlreadyExists],
  resolveType: () => 'CreateCustomerSuccess',
});

const UpdateCustomerPayload = builder.errorUnion('UpdateCustomerPayload', {
  description: 'The updated account, or why not.',
  types: [UpdateCustomerSuccess, NotFound, EmailAlreadyExists],
  resolveType: () => 'UpdateCustomerSuccess',
});

builder.mutationFields((t) => ({
  createCustomer: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: CreateCustomerPayload,
    description:
      'Creates an account (customer_add). Needs the hold scope and a token not bound to an account.',
    args: { input: t.arg({ type: CreateCustomerInput, required: true }) },
    authScopes: (_root, _args, ctx) => ctx.auth.acctId === undefined && { hold: true },
    resolve: (_root, { input }, ctx) => createCustomer(input, ctx),
  }),
  updateCustomer: t.field({
    // Nullable: an upstream fault fails this field, not the other mutations of the operation.
    nullable: true,
    extensions: { upstream: 'write' },
    type: UpdateCustomerPayload,
    description:
      'Changes some fields of an account (customer_query, then customer_update with the merged record). Needs the hold scope and, for an account-bound token, its own account.',
    args: { input: t.arg({ type: UpdateCustomerInput, required: true }) },
    authScopes: (_root, { input }) => tierFor('hold', input.acctId),
    resolve: (_root, { input: { acctId, ...patch } }, ctx) => updateCustomer(acctId, patch, ctx),
  }),
}));
