/** The browser-safe part of ensemble (`@facemask/ensemble/browser`): the vote, for the kiosk page. */
export * from './errors.ts';
export * from './combine.ts';
