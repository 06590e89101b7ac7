/** Tailwind CSS v4 runs as a PostCSS plugin in the Next.js build; its config is app/globals.css. */
const config = {
  plugins: { "@tailwindcss/postcss": {} },
};

export default config;
