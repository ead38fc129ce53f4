/**
 * The logical bases scenarios may name. Each has the public image to use where it can be
 * pulled, and a recipe to bootstrap a stand-in from Debian's mirror where it cannot.
 * A stand-in gets a `layerbench/…` name: never the official name of an image it is not.
 */
export interface BootstrapRecipe {
  /** the image name the stand-in gets */
  image: string;
  suite: string;
  /** packages added to debootstrap's minbase */
  include: string[];
  /**
   * Remove the PEP 668 marker so `pip install` works system-wide, as it does in the official
   * python images (whose Python is not Debian's, so it carries no marker).
   */
  allowSystemPip: boolean;
  cmd: string[];
}

export interface LogicalBase {
  name: string;
  description: string;
  publicImage: string;
  bootstrap: BootstrapRecipe;
}

export const BASE_CATALOG: Record<string, LogicalBase> = {
  'general-os': {
    name: 'general-os',
    description: 'a general-purpose OS without Python (Ubuntu-like)',
    publicImage: 'ubuntu:24.04',
    bootstrap: { image: 'layerbench/bookworm-minbase:1', suite: 'bookworm', include: [], allowSystemPip: false, cmd: ['bash'] },
  },
  'python-3.11-slim': {
    name: 'python-3.11-slim',
    description: 'a slim Python 3.11 with pip',
    publicImage: 'python:3.11-slim-bookworm',
    bootstrap: {
      image: 'layerbench/bookworm-python3:2',
      suite: 'bookworm',
      // python-is-python3: Dockerfiles written for python:3.11-slim call `python`
      include: ['python3', 'python3-pip', 'python3-venv', 'python-is-python3'],
      allowSystemPip: true,
      cmd: ['python3'],
    },
  },
};

/** The label every bootstrapped base carries (value: the logical name). */
export const BASE_LABEL = 'layerbench.base';

export function logicalBase(name: string): LogicalBase | undefined {
  return Object.hasOwn(BASE_CATALOG, name) ? BASE_CATALOG[name] : undefined;
}
