import type { ExecutionContext, Type } from '@nestjs/common';

type Handler = (...args: never[]) => unknown;

/**
 * A value worked out once per route (handler and controller) from its decorators, instead of
 * asking the Reflector on every request: a route's metadata never changes after boot.
 */
export class PerRoute<T> {
  private readonly byHandler = new WeakMap<Handler, Map<Type<unknown>, T>>();

  constructor(private readonly compute: (handler: Handler, controller: Type<unknown>) => T) {}

  of(context: ExecutionContext): T {
    const handler = context.getHandler() as Handler;
    const controller = context.getClass();
    let byClass = this.byHandler.get(handler);
    if (!byClass) {
      byClass = new Map();
      this.byHandler.set(handler, byClass);
    }
    if (byClass.has(controller)) return byClass.get(controller) as T;
    const value = this.compute(handler, controller);
    byClass.set(controller, value);
    return value;
  }
}
