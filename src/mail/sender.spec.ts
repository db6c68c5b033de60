import { senderOf } from './sender.js';

describe('senderOf', () => {
  it.each([
    ['Rep Life <replife@example.com>', { name: 'Rep Life', email: 'replife@example.com' }],
    ['"Rep Life" <replife@example.com>', { name: 'Rep Life', email: 'replife@example.com' }],
    ['<replife@example.com>', { name: 'ridealong', email: 'replife@example.com' }],
    [' replife@example.com ', { name: 'ridealong', email: 'replife@example.com' }],
  ])('reads %j', (from, expected) => expect(senderOf(from)).toEqual(expected));
});
