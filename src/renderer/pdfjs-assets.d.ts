// Vite's `?url` import of pdf.js's worker: the URL of the file it copies into dist/ui/assets.
declare module 'pdfjs-dist/build/pdf.worker.min.mjs?url' {
  const url: string;
  export default url;
}
