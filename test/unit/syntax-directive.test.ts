import { describe, expect, it } from 'vitest';
import { syntaxDirective } from '../../src/dockerfile/syntax-directive.js';

describe('syntaxDirective', () => {
  it('reads the frontend image of a `# syntax=` directive on the first line', () => {
    expect(syntaxDirective('# syntax=docker/dockerfile:1.7\nFROM scratch\n')).toEqual({ image: 'docker/dockerfile:1.7', line: 1 });
  });

  it('takes any case and spacing, and a directive after another directive', () => {
    expect(syntaxDirective('# escape=`\n#  SYNTAX = example/frontend:2 \nFROM scratch\n')).toEqual({ image: 'example/frontend:2', line: 2 });
  });

  it('is not a directive after an instruction, a blank line or a plain comment', () => {
    expect(syntaxDirective('FROM scratch\n# syntax=docker/dockerfile:1\n')).toBeUndefined();
    expect(syntaxDirective('\n# syntax=docker/dockerfile:1\nFROM scratch\n')).toBeUndefined();
    expect(syntaxDirective('# a comment\n# syntax=docker/dockerfile:1\nFROM scratch\n')).toBeUndefined();
  });

  it('is none for a Dockerfile without one', () => {
    expect(syntaxDirective('FROM python:3.11-slim\nRUN true\n')).toBeUndefined();
  });
});
