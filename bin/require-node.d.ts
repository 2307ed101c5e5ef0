// Types of require-node.js (plain JavaScript, so that it runs on a Node too old for TypeScript).
export declare const REQUIRED: string;
export declare const GET_NODE_24: string;
export declare function nodeIsSupported(version: string): boolean;
export declare function unsupportedNodeMessage(version: string, execPath: string): string;
export declare function requireSupportedNode(): void;
